"""Alerts: rules that pick events, an outbox written with the events, delivery, feeds.

- `rules`: does an event interest a rule?
- `outbox`: the store's event sink, writing one `Delivery` row per (event, rule, channel)
- `deliver`: sends due rows through Apprise, once, with retries and backoff; digests
- `messages`: the Jinja2-rendered subject and body of a message
- `secrets`: channel ids and masked channel URLs, so secrets never reach logs or pages
- `feeds`: Atom feeds of events, global and per rule
"""
