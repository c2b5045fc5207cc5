"""Officers: accounts, logins, roles, departures."""
