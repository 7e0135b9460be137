"""The outbox: every message is a row first; policy at send time; pace; retries; status."""
