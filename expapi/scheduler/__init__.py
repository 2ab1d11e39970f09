"""The simulated scheduler: moves runs and task instances through Airflow's states, running no code."""
