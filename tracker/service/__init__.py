"""The background service: scheduled crawls, outbox deliveries, health and metrics, the demo.

`runner.Service` ties the pieces together; `scheduler` owns the APScheduler jobs; `ops` serves
/healthz and /metrics; `logs` sets up text or JSON logs; `demo` runs all of it against the mirror.
"""
