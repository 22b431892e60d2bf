/* ha_failover.c - make check-ha: votesrv survives losing its PostgreSQL
 * primary's machine, in the topology of docs/deployment.md "Failover", on
 * loopback: etcd, two PostgreSQL servers each under its Patroni (synchronous
 * mode), two votesrv nodes behind HAProxy (conf/haproxy.cfg), voteclient load
 * --retry through HAProxy. A base backup is taken from the standby under load
 * (pg_basebackup, pg_verifybackup); then the primary's Patroni and PostgreSQL
 * are killed together (SIGKILL) and Patroni alone promotes the standby. Then:
 * voting resumed, every ballot acknowledged with a receipt is in the box, the
 * box holds as many ballots as the list holds signatures (no signature without
 * its ballot, no voter twice: the list's key), and the audit chain verifies
 * (votectl export-audit, then voteaudit); and the backup, started as a
 * throw-away server, holds every ballot acknowledged before it began, as many
 * ballots as signatures, and an audit chain that verifies. Skipped, saying so,
 * when PostgreSQL, Patroni, etcd or HAProxy is not installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "testutil.h"

#define VOTERS 2000
#define PAUSE_MAX_S 30.0

static void test_failover(void **state)
{
    char bin[PATH_MAX];
    tu_ha_result r;

    (void)state;
    if (!tu_pg_available() || !tu_ha_available()) {
        printf("ha_failover: skipped: PostgreSQL, Patroni, etcd or HAProxy missing "
               "(scripts/install-deps)\n");
        skip();
    }
    assert_int_equal(tu_bin(bin), 0);
    assert_int_equal(tu_ha_failover(bin, VOTERS, &r), 0);
    printf("# failover: %zu voters; %d PostgreSQL servers under Patroni (ttl %d s, loop_wait "
           "%d s, retry_timeout %d s, synchronous_mode_strict %s); primary's machine killed at "
           "%zu acknowledgments; Patroni's new primary %.2f s later; %zu acknowledged in all in "
           "%.1f s; longest pause seen through HAProxy %.2f s; box %zu ballots, list %zu "
           "signatures; voteclient exits %d %d\n", r.voters, r.nodes, r.ttl, r.loop_wait,
           r.retry_timeout, r.strict ? "on" : "off", r.acked_at_kill, r.promote_s, r.acked,
           r.run_s, r.pause_s, r.ballots, r.signatures, r.load_rc[0], r.load_rc[1]);
    printf("# backup: pg_basebackup from the synchronous standby in %.2f s, under load "
           "(%zu then %zu acknowledged); the copy holds %zu ballots, %zu signatures\n",
           r.backup_s, r.backup_acked_start, r.backup_acked_end, r.backup_ballots,
           r.backup_signatures);
    /* the backup: taken while ballots were acknowledged, consistent, holding
     * every ballot acknowledged before it began, its audit chain whole */
    assert_true(r.backup_acked_end > r.backup_acked_start);
    assert_int_equal(r.backup_missing, 0);
    assert_true(r.backup_ballots >= r.backup_acked_start);
    assert_int_equal(r.backup_ballots, r.backup_signatures);
    if (r.backup_audit_rc != 0)
        fail_msg("the backup's audit log: %s", r.backup_audit_out);
    /* voting went on after the kill, and not after a pause of 30 s: Patroni
     * promotes within ttl, and the nodes' writers reconnect every 100 ms */
    assert_true(r.acked > r.acked_at_kill);
    assert_true(r.pause_s < PAUSE_MAX_S);
    /* every acknowledged ballot is in the box */
    assert_int_equal(r.missing, 0);
    assert_true(r.ballots >= r.acked);
    /* each ballot has its signature and each signature its ballot */
    assert_int_equal(r.ballots, r.signatures);
    /* with --retry every voter's ballot went in. A cast whose commit reached
     * the standby just as the primary died was not acknowledged; sent again,
     * it is not acknowledged as a new ballot (refused as a second one, or
     * answered "déjà enregistré"): either way the ballot is in the box once
     * (counted here, not hidden) */
    assert_int_equal(r.ballots, VOTERS);
    if (r.acked < VOTERS)
        printf("# failover: %zu cast(s) committed but not acknowledged with a receipt\n",
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
