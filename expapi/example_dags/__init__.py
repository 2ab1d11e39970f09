"""Airflow's example DAGs as expapi DAG files, one folder per Airflow line."""
