"""Background jobs: RQ 3 on Redis (JSON serializer), or in-process when no REDIS_URL is set.

- service/jobs/task.py       ``@task``: a job function, run in its own app context and session
- service/jobs/queue.py      ``enqueue_after_commit`` / ``enqueue``: to Redis, or in-process
- service/jobs/embedded.py   the in-process runner and its ticker (retries, periodic jobs)
- service/jobs/scheduler.py  the one declarative list of periodic jobs, one enqueue per slot
- service/jobs/worker.py     ``flask worker`` and the operator's ``flask jobs`` commands
- service/jobs/horse.py      the worker's long-lived work-horse, forked and watched
- service/jobs/processes.py  the worker and scheduler started and stopped with ``serve``
"""
