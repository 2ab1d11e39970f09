"""Gateway mode: the experimental API answered by a live Airflow 2 or 3 through its stable REST API.

``urls`` checks and masks the Airflow URL, ``api_lines`` holds what differs between Airflow 2's
``/api/v1`` and Airflow 3's ``/api/v2`` (as data), ``exchange`` is one call's logic (auth, retry,
failure mapping) written once for both drivers in ``client``, ``stable_api`` the typed calls,
``translate`` turns their JSON into plain values, ``timing`` the access log's upstream time.
"""
