"""Indoor decoration works (室内装修工程): registration, the waste's removal by a permitted transport company, the
collectors' inspections and the waste cases found near a works without a registered removal (docs/decoration.md)."""
