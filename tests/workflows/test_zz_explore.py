from lifecycle import *  # noqa
from engine.domain import commands as c


def test_explore(make_city_bus, db, clock, task_data, sql):
    bus = make_city_bus()
    clock.set(cst(2, 9))
    refs = bus.handle(c.SendMessage("video_detection", {"detection": {"camera_id": "cam-1", "subtype": "0601",
        "lon": 117.65, "lat": 24.51, "image": "x.jpg", "confidence": 0.9}}, "vision"))
    print(refs)
    case = Case(bus, db, refs[0].case_id)
    print({k: tuple(v) for k, v in case.ready().items()})
    print(task_data(case.case_id, "verify_report"))
    case.complete("verify_report", {"verification": {"found": True}})
    print(task_data(case.case_id, "file_or_void"))
    print(sql("select * from cases"))
