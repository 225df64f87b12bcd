"""Trust services for relying parties (issue 13): the verification API, Power-of-Representation
attestations with a token status list, Security Event Token notices on change, and the expiry of
relying parties' and partners' credentials. Built on `federation` (clients, keys, tokens) and on the
organizations' domain events."""
