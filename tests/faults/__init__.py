"""Fault tests with real processes (issue 11, item 1): each ends with a loss report, printed
and asserted — expected vs found, lost, duplicated, unexpected — and what was lost must be
nothing.

- PostgreSQL restarted during a webhook burst: test_postgres_outage.py
- Redis restarted mid-campaign: test_redis_outage.py
- a worker killed (SIGKILL) mid-batch: already proved in tests/delivery/test_robustness.py,
  test_a_worker_killed_mid_batch_sends_nothing_twice_and_every_row_ends_final (not repeated)
- WhatsApp answering 429 / 500 / timeouts for a minute: test_sandbox_outage.py
- 10,000 duplicated and reordered status webhooks: test_status_storm.py

The shared PostgreSQL and Redis are never restarted: a TCP proxy in front of them
(support.TcpProxy) resets every connection and refuses new ones for a few seconds, which is
what a client sees of a restart. PostgreSQL-only (skipped in the SQLite pass).
"""
