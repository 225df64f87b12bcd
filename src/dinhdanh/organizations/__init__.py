"""Organizations holding an e-ID account (Decree 69 Art. 6): the record, its change history, members
and their delegations, locks. Every write is a function in ``services``; reads go through ``selectors``."""
