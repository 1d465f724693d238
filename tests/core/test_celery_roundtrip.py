import pytest


@pytest.mark.celery_worker
def test_a_task_round_trips_through_redis_and_a_real_worker(celery_worker):
    from config.celery_app import ping

    result = ping.delay("talentgap")
    assert result.get(timeout=30) == "talentgap"
    # The answer came from another process, not from an eager in-process call.
    assert not result.app.conf.task_always_eager
