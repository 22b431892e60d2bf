/* bench.h - helpers shared by the benchmark files. */
#ifndef VOTESRV_BENCH_H
#define VOTESRV_BENCH_H

#include <stddef.h>
#include "tests/testutil.h"      /* tu_seconds, tu_median */

#define BENCH_ROUNDS 5           /* rounds of a per-item figure (its median) */

void bench_die(const char *what);
/* full size normally, small under BENCH_QUICK=1 */
size_t bench_scaled(size_t full, size_t small);
/* CPU seconds (user + system) of this process (RUSAGE_SELF) or of its
 * waited-for children (RUSAGE_CHILDREN) so far */
double bench_rusage_s(int who);

void bench_import(void);
void bench_audit(void);
void bench_disk(void);         /* disk.fsync_ms, which bounds durable commits */
void bench_audit_view(void);
void bench_login(void);
void bench_outbox(void);
void bench_notices(void);
void bench_cast(void);
void bench_privsep(void);
void bench_privsep_request(void);
void bench_ha(void);
void bench_count(int cores);
void bench_backup(void);       /* bench_count.c: backup.pause_s */
void bench_rush(int cores);     /* bench_rush.c: the opening rush */
/* Turn privilege separation on or off in the configuration file cfg; 0 or -1
 * (bench_cast.c). */
int bench_set_privsep(const char *cfg, int privsep);

#endif
