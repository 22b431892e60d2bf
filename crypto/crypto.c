/* crypto.c - one-time start-up of the libraries behind crypto/. */
#include "crypto.h"

int crypto_init(void)
{
    if (sodium_init() < 0)
        return -1;
    (void)group_table_generator();
    return 0;
}
