/* ha_failover.c - make check-ha: votesrv survives losing its PostgreSQL
 * primary. A primary and a synchronous standby on loopback, two votesrv nodes,
 * voteclient load --retry against each; the primary is killed with SIGKILL in
 * the middle of casting and the standby promoted a second later (the
 * detection delay of a real cluster manager). Then: voting resumed within
 * 30 s, every ballot acknowledged with a receipt is in the box, the box holds
 * as many ballots as the list holds signatures (no signature without its
 * ballot, no voter twice: the list's key), and the audit chain verifies
 * (votectl export-audit, then voteaudit). Skipped, saying so, when the
 * PostgreSQL server programs are not installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "testutil.h"

#define VOTERS 3000
#define PAUSE_MAX_S 30.0

static void test_failover(void **state)
{
    char bin[PATH_MAX];
    tu_ha_result r;

    (void)state;
    if (!tu_pg_available()) {
        printf("ha_failover: skipped: no PostgreSQL server programs (scripts/install-deps)\n");
        skip();
    }
    assert_int_equal(tu_bin(bin), 0);
    assert_int_equal(tu_ha_failover(bin, VOTERS, &r), 0);
    printf("# failover: %zu voters; primary killed at %zu acknowledgments; %zu acknowledged "
           "in all in %.1f s; longest pause %.2f s (pg_ctl promote %.2f s); box %zu ballots, "
           "list %zu signatures; voteclient exits %d %d\n", r.voters, r.acked_at_kill, r.acked,
           r.run_s, r.pause_s, r.promote_s, r.ballots, r.signatures, r.load_rc[0], r.load_rc[1]);
    /* voting went on after the kill, and not after a pause of 30 s */
    assert_true(r.acked > r.acked_at_kill);
    assert_true(r.pause_s < PAUSE_MAX_S);
    /* every acknowledged ballot is in the box */
    assert_int_equal(r.missing, 0);
    assert_true(r.ballots >= r.acked);
    /* each ballot has its signature and each signature its ballot */
    assert_int_equal(r.ballots, r.signatures);
    /* with --retry every voter's ballot went in. A cast whose commit reached
     * the standby just as the primary died was not acknowledged; sent again,
     * it is refused as a second ballot: its voter has no receipt, but the
     * ballot is in the box (a limit, counted here, not hidden) */
    assert_int_equal(r.ballots, VOTERS);
    if (r.acked < VOTERS)
        printf("# failover: %zu cast(s) committed but not acknowledged, refused when sent again\n",
               VOTERS - r.acked);
    if (r.audit_rc != 0)
        fail_msg("audit log: %s", r.audit_out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failover),
    };

    if (sodium_init() < 0)
        return 1;
    setvbuf(stdout, NULL, _IONBF, 0);
    return cmocka_run_group_tests_name("ha", tests, NULL, NULL);
}
