"""Pages of requests: the applicant's and co-representatives' (outer zone, ``applicant*``,
``consent*``) and the officers' (inner zone, ``officer*``)."""
