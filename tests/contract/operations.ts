// Uses every operation of the experimental API through the types openapi-typescript makes
// from openapi/experimental.yaml (written next to this file as expapi.d.ts by the test).
// `tsc --noEmit` fails when a name, a field or a type here no longer matches the contract.
import type { components, operations } from "./expapi";

type Json<Op extends keyof operations, Status extends keyof operations[Op]["responses"]> =
    operations[Op]["responses"][Status] extends { content: { "application/json": infer Body } } ? Body : never;
type Path<Op extends keyof operations> = operations[Op]["parameters"]["path"];
type Query<Op extends keyof operations> = operations[Op]["parameters"]["query"];
type Body<Op extends keyof operations> =
    operations[Op] extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
type ErrorBody = components["schemas"]["Error"];

const dag: Path<"list_dag_runs"> = { dag_id: "example_bash_operator" };
const when = "2030-01-01T00:00:00+00:00";

// trigger_dag_run: run_id may be a number (1.10 took it), conf an object or a string holding one.
const trigger: Body<"trigger_dag_run"> = { run_id: 42, conf: { key: "value" }, execution_date: when, replace_microseconds: "false" };
const triggered: Json<"trigger_dag_run", 200> = { execution_date: when, message: "Created", run_id: "42" };
const runs: Json<"list_dag_runs", 200> = [];
const state: Query<"list_dag_runs"> = { state: "running" };
const runState: Json<"get_dag_run_state", 200> = { state: "running" };
const runAt: Path<"get_dag_run_state"> = { dag_id: dag.dag_id, execution_date: triggered.execution_date };
const instance: Json<"get_task_instance", 200> = { dag_id: "d", task_id: "t", state: "none" };
const instanceAt: Path<"get_task_instance"> = { ...runAt, task_id: "runme_0" };
const task: Json<"get_task", 200> = { task_id: "t", upstream_task_ids: "[]", downstream_task_ids: "[]" };
const taskAt: Path<"get_task"> = { dag_id: dag.dag_id, task_id: "runme_0" };
const codeAt: Path<"get_dag_code"> = dag;
const paused: Json<"set_dag_paused", 200> = { response: "ok" };
const pausedAt: Path<"set_dag_paused"> = { dag_id: dag.dag_id, paused: "true" };
const isPaused: Json<"get_dag_paused", 200> = { is_paused: true };
const deleted: Json<"delete_dag", 200> = { count: 1, message: "Removed 1 record(s)" };
const latest: Json<"get_latest_runs", 200> = { items: [] };
const alive: Json<"test", 200> = { status: "OK" };
const info: Json<"get_info", 200> = { version: "1.10.15" };
const lineage: Json<"get_lineage", 200> = { task_ids: {} };
const pools: Json<"list_pools", 200> = [];
const newPool: Body<"create_pool"> = { name: "etl", slots: "4", description: null };
const pool: Json<"create_pool", 200> = { description: null, id: 2, pool: newPool.name, slots: 4 };
const poolAt: Path<"get_pool"> = { pool_name: pool.pool };
const fetched: Json<"get_pool", 200> = pool;
const removed: Json<"delete_pool", 200> = fetched;
const removeAt: Path<"delete_pool"> = poolAt;
const refused: ErrorBody = { error: "Pool 'etl' doesn't exist" };

export const used = [
    trigger, triggered, runs, state, runState, instance, instanceAt, task, taskAt, codeAt, paused, pausedAt,
    isPaused, deleted, latest, alive, info, lineage, pools, pool, fetched, removed, removeAt, refused,
];
// An integer is no pool size in a string's place, and a missing field is an error: these must not compile.
// @ts-expect-error slots is a number or a numeric string, never a boolean
const badPool: Body<"create_pool"> = { name: "etl", slots: true, description: null };
// @ts-expect-error a pool always has its id
const noId: Json<"get_pool", 200> = { description: null, pool: "etl", slots: 4 };
export const refusedAtCompileTime = [badPool, noId];
