from notebookinstance_spawner.progress import MAX_NOTE, ProgressLog


def event(uid, reason, note, type="Normal", count=None):
    e = {"metadata": {"uid": uid}, "reason": reason, "note": note, "type": type}
    if count:
        e["series"] = {"count": count}
    return e


def test_status_changes_are_recorded_once_and_progress_never_goes_back():
    log = ProgressLog()
    log.status({"status": {"phase": "Provisioning", "message": "waiting"}})
    log.status({"status": {"phase": "Provisioning", "message": "waiting"}})  # same again: nothing new
    log.status({"status": {"phase": "Pending"}})
    log.status({"status": {}})
    assert [(i["progress"], i["message"]) for i in log.items] == [(50, "Provisioning: waiting"), (50, "Pending")]
    assert log.last_status_text == "Pending"


def test_events_repeats_and_warnings():
    log = ProgressLog()
    log.event(event("a", "PodStarting", "pulling"))
    log.event(event("a", "PodStarting", "pulling"))  # an update without a new count
    log.event(event("a", "PodStarting", "pulling", count=4))
    log.event(event("b", "ImageDenied", "not allowed", type="Warning"))
    log.event(event("c", "Odd", ""))
    assert [i["message"] for i in log.items] == [
        "PodStarting: pulling",
        "PodStarting: pulling (x4)",
        "Warning: ImageDenied: not allowed",
        "Odd",
    ]


def test_long_notes_are_cut():
    log = ProgressLog()
    log.event(event("a", "CreateFailed", "x" * 5000, type="Warning"))
    message = log.items[0]["message"]
    assert message.endswith("…") and len(message) == len("Warning: CreateFailed: ") + MAX_NOTE


async def test_followers_get_everything_then_stop_when_closed():
    log = ProgressLog()
    log.add("one", 10)
    follower = log.follow()
    assert (await follower.__anext__())["message"] == "one"
    log.add("two")
    log.close()
    assert [i["message"] async for i in follower] == ["two"]
    assert [i["message"] async for i in log.follow()] == ["one", "two"]  # a late page replays it all


async def test_followed_says_whether_someone_follows_the_log_waiting_for_one():
    log = ProgressLog()
    assert not await log.followed(0.01)
    follower = log.follow()
    log.add("Requested instance", 10)
    assert (await anext(follower))["message"] == "Requested instance"
    assert await log.followed(0.01)
    await follower.aclose()
