"""Airflow's example DAGs as expapi DAG files, one data folder per Airflow line (``airflow-1.10``)."""
