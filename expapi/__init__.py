"""expapi: Apache Airflow's experimental REST API, contract first."""

__version__ = "0.1.0"
