"""SQLAlchemy models of the Airflow metadata that the experimental API reads and writes."""

from expapi.models.base import Base
from expapi.models.dag import DagCode, DagModel, SerializedDag
from expapi.models.dag_run import DagRun
from expapi.models.job import Job
from expapi.models.pool import Pool
from expapi.models.task_instance import TaskInstance
from expapi.models.user import User

__all__ = ["Base", "DagCode", "DagModel", "DagRun", "Job", "Pool", "SerializedDag", "TaskInstance", "User"]
