"""CPU-time and memory budgets for diagram scripts and expressions (a hybrid evaluator).

RestrictedPython stops scripts from *reaching* the host, not from *exhausting* it: ``sum(range(10**12))``
is a C-level loop that holds the GIL and never reaches a bytecode boundary, so no signal handler, trace
hook or watchdog thread inside the web process can stop it.  Only the kernel can, so the hard limits live
in a separate process.  Forking per evaluation costs about 1.4 ms (far too slow for the lifecycle's
5-20 evaluations per step), so :class:`BoundedEvaluator` splits the work:

* **Inline** (in-process, about as fast as a plain ``eval``): code that :func:`plan` proves bounded runs
  directly.  Provably bounded means: an expression or a script with no loops, list/set/dict
  comprehensions, functions, walrus, ``*``/``**`` arguments, calls only to a whitelist of non-amplifying
  builtins (each with the arity and keywords it expects: ``calls``)/methods, the helpers and the script's
  own lambdas, at most ``inline_max_nodes`` AST nodes, over data of at most ``inline_bytes`` elements and
  characters (one statement may read it once per node).
  Such code executes each node at most once per run of its parent over trees built from the task data,
  so its cost is linear in (nodes x data).  Also allowed (``statements``): ``try``/``except`` naming
  ``Exception`` classes; ``name = lambda ...`` bound once, only called by name and reading only its
  parameters and task data (so no function reaches another: no recursion); a generator expression
  consumed by ``all``/``any`` (each step timed by the meter); statements reading names
  earlier ones stored, provided no ``+ * ** << %`` combines two such values (no line doubles the one
  before), no value the script built is changed in place, and every stored name a statement reads is
  *settled* after its statement: a tree (no container met twice, no cycle), all walks together within
  ``inline_bytes``.  Each loop step, every statement and each metered call (``calls.METERED_CALLS``: sorted,
  list, dict, zip...) checks ``inline_seconds`` of wall-clock time (helpers' time excepted): past it, the
  evaluation moves to the worker.
  The operations that can still amplify (``*``, ``**``, ``<<``, ``+``, ``%`` formatting, f-string format
  specs, ``str``/``repr``/``ascii`` of containers, dict views and exceptions, ``round`` with negative digits,
  slices, what ``list``/``tuple``/``sorted``/``enumerate``/``zip``/``map``/``dict`` build) are rewritten into
  calls to a per-evaluation meter (``meter.Meter``) that estimates the result size *before* computing it:
  beyond ``memory_bytes`` it raises :class:`BudgetExceeded` at once; beyond the small inline allowance
  (``inline_bytes`` cumulative, ``inline_int_bits`` per integer) the evaluation is re-run in the worker.
* **Worker** (everything else): a persistent, spawned (not forked) interpreter per process that runs the
  same guarded code object under ``setitimer(ITIMER_PROF)`` (the kernel kills it at ``cpu_seconds`` of
  CPU, even inside a C loop), ``RLIMIT_AS`` (allocations beyond ``memory_bytes`` raise MemoryError),
  an ``RLIMIT_CPU`` backstop, and a wall-clock kill by the parent.  A dead worker is replaced.
  Data goes in by pickle (the parent is trusted) and comes back as tagged JSON (the child is not:
  nothing it sends can run code in the parent, and shared sub-objects are expanded *in the child*, so
  a ``a = [a, a]`` bomb blows the child's budget instead of the parent's ``_is_data`` walk).
  Helpers (clock, working time, ``locate``, ``reject``, replay recorders) are *called back in the
  parent* over the same pipe, so they keep their bound state and their exceptions keep their types.

Everything exceeded surfaces as :class:`BudgetExceeded` (``kind`` = ``"cpu"``, ``"memory"``, ``"wall"`` or
``"size"`` — an integer beyond ``max_int_bits``, refused before it is computed, inline or in the worker — and
``limit``), which is an ordinary ``Exception`` so SpiffWorkflow wraps it with the failing element.

The package: ``limits`` (ScriptLimits, BudgetExceeded), ``meter`` (the size guards), ``sizes`` (estimates
and tree walks), ``compiling`` (the rewrite into guarded code), ``plan`` and ``statements`` (the classifier),
``transport`` (frames and tagged JSON), ``child`` (the worker's side), ``pool`` (the parent's side),
``evaluator`` (BoundedEvaluator).
"""

from engine.bpmn.budget.compiling import MAX_SOURCE_CHARS, check_source_size, compile_guarded
from engine.bpmn.budget.evaluator import BoundedEvaluator
from engine.bpmn.budget.limits import BudgetExceeded, Route, ScriptLimits, ScriptWorkerError
from engine.bpmn.budget.plan import Plan
from engine.bpmn.budget.pool import POOL, Pool

__all__ = ["MAX_SOURCE_CHARS", "POOL", "BoundedEvaluator", "BudgetExceeded", "Plan", "Pool", "Route", "ScriptLimits",
           "ScriptWorkerError", "check_source_size", "compile_guarded"]
