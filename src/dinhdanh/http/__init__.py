"""The HTTP layer every face stands on, below the apps (issue 11.1, decision 0025): problem+json
answers and error pages, the API's CSRF check and signed-in person, Idempotency-Key, deployment zones.
It imports no app and no router: the composition roots (``dinhdanh.api.urls``, ``dinhdanh.urls``)
hand it what it needs (``problems.install``)."""
