"""The plugin manager factory: no global, nothing loaded at import time."""

from __future__ import annotations

import ast
import difflib
import functools
import importlib.metadata
import inspect
import math
import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import pluggy

from complaintcore.core.classification import Classification
from complaintcore.core.errors import (
    ComplaintCoreError,
    HookError,
    InvalidInputError,
    rebuilt,
    reduced,
    shown_code,
)
from complaintcore.core.rulepack import RulePack
from complaintcore.desk import hookspecs
from complaintcore.desk.ports import Notifier
from complaintcore.i18n import HOOKLESS_PLUGIN, UNIMPORTABLE_PLUGIN

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "PluginError",
    "check_plain_hooks",
    "make_plugin_manager",
]

ENTRY_POINT_GROUP = "complaintcore"
"""Third-party plugins declare ``[project.entry-points.complaintcore]``."""


_T = TypeVar("_T")

BUILTIN = "complaintcore.builtin"
"""The name the built-in adapters are registered under (they answer last)."""


def make_plugin_manager(
    plugins: Iterable[object] = (), *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A fresh plugin manager with the built-in adapters and the host's plugins.

    pluggy asks the plugin registered last first: the built-ins answer last
    (``trylast``), installed entry-point plugins next, and the plugins the host
    passes in first, since the host knows best (one also installed is moved
    ahead).  A misspelt hook name or a wrong argument in any plugin raises
    :class:`PluginError` at once (``check_pending``) rather than being silently
    ignored; so does an ``async def`` or generator-function implementation or a
    class passed for an instance (:func:`check_plain_hooks`), a plugin passed twice,
    a text (a plugin's import path), ``None`` or a number passed for a plugin, a
    plugin passed in that implements no hook (``@hookimpl`` forgotten), and an
    installed plugin that cannot be imported, implements no hook or is installed
    under two names.
    """
    from complaintcore.adapters import builtin

    pm = pluggy.PluginManager("complaintcore")
    pm.add_hookspecs(hookspecs)
    try:
        pm.register(builtin, name=BUILTIN)
        if load_entry_points:
            installed = _import_installed(pm)
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
            _check_installed_hooks(pm, installed)
        passed: list[object] = []
        for plugin in plugins:
            _register_passed(pm, plugin, passed)
        pm.check_pending()
    except PluginError:
        raise  # already says which plugin and why
    except pluggy.PluginValidationError as exc:
        raise PluginError(exc.plugin, _validation_message(pm, exc)) from None
    check_plain_hooks(pm)
    return pm


def _register_passed(pm: pluggy.PluginManager, plugin: object, passed: list[object]) -> None:
    """Register a plugin the host passes in, so that it answers before the installed ones.

    The documented setup passes in the very module an entry point installs: that
    plugin is moved ahead (registered again, under its entry point's name) rather
    than refused with pluggy's raw ``ValueError``.  The same plugin passed twice is
    a slip the host must hear of: it would hear every event twice.
    """
    _check_a_plugin(plugin)
    if any(p is plugin for p in passed):
        raise PluginError(plugin, f"plugin {plugin_label(plugin)} is passed in twice")
    name = pm.get_name(plugin) if pm.is_registered(plugin) else None
    if name is not None:  # installed too: the host's copy is the one passed in
        pm.unregister(plugin, name=name)
    pm.register(plugin, name=name)
    passed.append(plugin)
    _check_implements_a_hook(pm, plugin)


_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?::[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?")
"""A plugin named as an entry point's value names it: ``pkg.module`` or ``pkg.module:attr``."""


def _check_a_plugin(plugin: object) -> None:
    """A text, ``None`` or a number passed for a plugin implements no hook: pluggy would
    register it as an empty plugin, and the host's store, directory or listener would
    silently never be asked (review s50F F03).  A plugin's import path (an entry point's
    value) is named with the import that gives the plugin itself."""
    if isinstance(plugin, str | bytes | bytearray):
        text = plugin if isinstance(plugin, str) else bytes(plugin).decode("utf-8", "replace")
        shown = repr(text if len(text) <= 80 else f"{text[:79]}…")
        kind = type(plugin).__name__
        if _DOTTED.fullmatch(text) is None:
            raise PluginError(plugin, f"plugin {shown} is a {kind}, not a plugin")
        module, colon, attribute = text.partition(":")
        if not colon:
            module, _, attribute = module.rpartition(".")
        hint = f"from {module} import {attribute}" if module else f"import {attribute}"
        raise PluginError(
            plugin,
            f"plugin {shown} is a {kind}, not a plugin; import it and pass it ({hint}),"
            " or install it as an entry point",
        )
    if plugin is None or isinstance(plugin, int | float | complex):
        raise PluginError(
            plugin,
            f"{type(plugin).__name__} passed for a plugin; pass a module or an object whose"
            " hook functions are marked @hookimpl",
        )


def _check_implements_a_hook(pm: pluggy.PluginManager, plugin: object) -> None:
    """A plugin passed in that implements no hook at all is a slip the host must hear
    of (review s50F F03): every function unmarked (``@hookimpl`` forgotten), or the
    wrong object passed (a settings module, a client).  A hook misspelt with
    ``@hookimpl`` is left to ``check_pending``, which names the hook meant."""
    why = _why_no_hook(pm, plugin)
    if why:
        pm.unregister(plugin)
        label = plugin_label(plugin)
        raise PluginError(plugin, f"plugin {label} implements no complaintcore hook ({why})")


def _why_no_hook(pm: pluggy.PluginManager, plugin: object) -> str:
    """Why a registered plugin implements no complaintcore hook, ``""`` when it
    implements one: the hook functions it has without ``@hookimpl``; else its
    functions named like a hook that is none (``complaintcore_notfy``), with the hook
    meant when one is close; else that none of its functions is a hook."""
    if pm.get_hookcallers(plugin):
        return ""
    hooks = sorted(h for h, c in vars(pm.hook).items() if getattr(c, "spec", None) is not None)
    unmarked = [n for n in hooks if callable(getattr(plugin, n, None))]
    if len(unmarked) > 1:
        return f"{', '.join(unmarked)} are not marked @hookimpl"
    if unmarked:
        return f"{unmarked[0]} is not marked @hookimpl"
    misspelt = sorted(
        n
        for n in dir(plugin)
        if n.startswith(f"{ENTRY_POINT_GROUP}_") and callable(getattr(plugin, n, None))
    )
    if len(misspelt) > 1:
        return f"{', '.join(misspelt)} are not complaintcore hooks"
    if misspelt:
        close = difflib.get_close_matches(misspelt[0], hooks, n=1)
        if close:
            return f"{misspelt[0]} is not a complaintcore hook (did you mean {close[0]}?)"
        return f"{misspelt[0]} is not a complaintcore hook"
    return "no function of it is a complaintcore hook marked @hookimpl"


_NOT_IN_SPEC = re.compile(r"Argument\(s\) (\{.*\}) are declared in the hookimpl")
_FOR_HOOK = re.compile(r" for hook '(\w+)'|\nhook '(\w+)'")
_UNKNOWN_HOOK = re.compile(r"unknown hook '(\w+)'")


def _validation_message(pm: pluggy.PluginManager, exc: pluggy.PluginValidationError) -> str:
    """pluggy's refusal on one line, naming the plugin by :func:`plugin_label` (pluggy
    names an instance by its ``id()`` or its repr, over three lines)."""
    said = str(exc)
    label = plugin_label(exc.plugin)
    unknown = _UNKNOWN_HOOK.search(said)
    if unknown is not None:
        name = unknown.group(1)
        hooks = [h for h, c in vars(pm.hook).items() if getattr(c, "spec", None) is not None]
        close = difflib.get_close_matches(name, hooks, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"plugin {label}: unknown hook {name!r}{hint}"
    found = _FOR_HOOK.search(said)
    hook = (found.group(1) or found.group(2)) if found is not None else ""
    extra = _NOT_IN_SPEC.search(said)
    caller = getattr(pm.hook, hook, None) if hook else None
    spec = getattr(caller, "spec", None)
    if extra is not None and spec is not None:
        names = sorted(str(n) for n in ast.literal_eval(extra.group(1)))
        taken = ", ".join(repr(n) for n in names)
        offers = ", ".join(spec.argnames) or "no arguments"
        return (
            f"plugin {label}: {_definition(exc.plugin, hook)} takes {taken}, which the hook"
            f" does not offer (it offers {offers})"
        )
    reason = said.splitlines()[-1] if said.strip() else type(exc).__name__
    where = f"{hook}: " if hook else ""
    return " ".join(f"plugin {label}: {where}{reason}".split())


def _definition(plugin: object, hook: str) -> str:
    """``hook(a, b)``: the implementation's arguments, without their annotations."""
    function = getattr(plugin, hook, None)
    try:
        parameters = inspect.signature(function).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return hook
    return f"{hook}({', '.join(parameters)})"


Installed = tuple[object, importlib.metadata.EntryPoint, importlib.metadata.Distribution]
"""An installed plugin, with the entry point and distribution it came from."""


def _import_installed(pm: pluggy.PluginManager) -> list[Installed]:
    """Import the installed plugins pluggy is about to load, as it would (the first
    entry point of each name), so one that fails to import (a dependency of its own
    missing) is a :class:`PluginError` naming its entry point and distribution, not a
    bare ``ModuleNotFoundError`` naming neither.  pluggy then finds them imported;
    each is returned with where it was installed."""
    seen: set[str] = set()
    loaded: list[Installed] = []
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or ep.name in seen:
                continue
            if pm.has_plugin(ep.name) or pm.is_blocked(ep.name):
                continue
            seen.add(ep.name)
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError.unimportable(ep, dist, exc) from exc
            for other, there, other_dist in loaded:
                if other is plugin:  # pluggy would refuse the second with a raw ValueError
                    raise PluginError(
                        ep.name,
                        f"installed plugin {ep.name!r} ({_where(ep, dist)}) is the plugin also"
                        f" installed as {_where(there, other_dist)}; uninstall one of them",
                    )
            loaded.append((plugin, ep, dist))
    return loaded


def _check_installed_hooks(pm: pluggy.PluginManager, installed: Iterable[Installed]) -> None:
    """An installed plugin that implements no hook is refused as one passed in is
    (review s51C F01), naming its entry point and distribution: pluggy would load it
    as an empty plugin, and whatever it was to supply would silently never be asked."""
    for plugin, ep, dist in installed:
        if not pm.is_registered(plugin):
            continue
        why = _why_no_hook(pm, plugin)
        if why:
            pm.unregister(plugin)
            raise PluginError.implements_no_hook(ep, dist, why)


def _where(ep: importlib.metadata.EntryPoint, dist: importlib.metadata.Distribution) -> str:
    """``entry point name = value of name version``."""
    return f"entry point {ep.name} = {ep.value} of {_distribution(dist)}"


def _distribution(dist: importlib.metadata.Distribution) -> str:
    """``name version`` of an installed distribution, ``?`` for what it does not say."""
    return f"{dist.metadata['Name'] or '?'} {dist.version or '?'}"


_ITERATED_ANSWERS = frozenset({"complaintcore_get_notifiers"})
"""Hooks whose answer the desk reads by iterating it (a list of channels): a
generator function's body runs there, so one is allowed."""


def check_plain_hooks(pm: pluggy.PluginManager) -> None:
    """Refuse an ``async def`` or generator-function hook implementation, and a class
    registered where an instance of it was meant (:class:`PluginError`).

    The desk calls every hook synchronously, in its own thread: a coroutine
    function would only hand back a coroutine nobody runs, so its work (an
    audit line, a classification, a store) would be silently lost; so would a
    generator function's (a ``yield`` left in a listener: calling it only makes
    a generator), but for ``complaintcore_get_notifiers``, whose answer is
    iterated, and a wrapper, which pluggy runs as a generator (review s50F F04).
    A class's methods lack their ``self``: every call of them would fail.
    """
    for name, caller in vars(pm.hook).items():
        if not name.startswith("complaintcore_"):
            continue
        for impl in caller.get_hookimpls():
            _check_not_a_class(impl.plugin, impl.function)
            function = impl.function
            if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
                raise PluginError(
                    impl.plugin,
                    f"plugin {plugin_label(impl.plugin)}: {name} is an async def; complaintcore"
                    " calls hooks synchronously and would never run it (make it a plain"
                    " function: run async work with asyncio.run, or hand it to your event loop)",
                )
            if (
                inspect.isgeneratorfunction(function)
                and not (impl.wrapper or impl.hookwrapper)
                and name not in _ITERATED_ANSWERS
            ):
                raise PluginError(
                    impl.plugin,
                    f"plugin {plugin_label(impl.plugin)}: {name} is a generator function (it"
                    " yields); complaintcore calls hooks synchronously and would never run its"
                    " body (make it a plain function: return instead of yield)",
                )


def _check_not_a_class(plugin: object, function: object) -> None:
    """A class whose hook implementation is a plain method (not a ``staticmethod`` or
    ``classmethod``): pluggy drops its ``self`` from the arguments it checks, then calls
    it one argument short.  Refused as the slip it is (``HostPlugin`` for ``HostPlugin()``)."""
    if not inspect.isclass(plugin):
        return
    attribute = getattr(function, "__name__", "")
    if inspect.isfunction(inspect.getattr_static(plugin, attribute, None)):
        label = plugin_label(plugin)
        raise PluginError(plugin, f"plugin {label} is a class; register an instance ({label}())")


def asked(hook: str, call: Callable[[], _T], path: str = "") -> _T:
    """``call()``, the desk asking ``hook``: a host's exception (a store pool exhausted,
    an HR service down) is a :class:`HookError` naming the hook and the exception's
    type only, since its text may quote a person or a password (PRV-1); the host's
    exception is its ``__cause__``.  The library's own errors pass as they are.
    ``path``: where the answer was asked for, when more than the hook
    (``notification_template.assigned.zh``, review s55R2 F02)."""
    try:
        return call()
    except ComplaintCoreError:
        raise
    except Exception as exc:
        if path:
            raise HookError(path, f"{hook} raised {type(exc).__name__}") from exc
        raise HookError(hook, f"the hook raised {type(exc).__name__}") from exc


Failed = Callable[[pluggy.HookImpl, BaseException | str], None]
"""Told of each implementation that raised (the exception) or did none of its work
(why: it handed back a coroutine, :data:`AWAITABLE_ANSWER`, or a generator,
:data:`GENERATOR_ANSWER`)."""


def call_each(caller: pluggy.HookCaller, kwargs: Mapping[str, object], failed: Failed) -> None:
    """A broadcast hook called once, as pluggy calls it (its wrappers round the whole
    call, once; the manager's tracing), with every plain implementation guarded:
    pluggy stops at the first that raises, which would leave every later listener
    deaf (review s41C F01).  Wrappers are not guarded (review s41G F05)."""
    impls = [
        impl if impl.wrapper or impl.hookwrapper else _guarded(impl, failed)
        for impl in caller.get_hookimpls()
    ]
    caller._hookexec(caller.name, impls, kwargs, False)


def _guarded(impl: pluggy.HookImpl, failed: Failed) -> pluggy.HookImpl:
    function = impl.function

    @functools.wraps(function)  # its signature: pluggy passes the arguments it names
    def guarded(*args: object) -> None:
        try:
            answer = function(*args)
        except KeyboardInterrupt:  # Ctrl-C stops the command (Desk: CommittedInterrupt)
            raise
        except BaseException as exc:  # a SystemExit too is its failure, as a channel's send's
            failed(impl, exc)  # (review s55R2 F03): the other listeners still hear
            return
        if closed_awaitable(answer):
            failed(impl, AWAITABLE_ANSWER)
        elif inspect.isgenerator(answer):  # registered after the manager was checked
            answer.close()
            failed(impl, GENERATOR_ANSWER)

    return pluggy.HookImpl(impl.plugin, impl.plugin_name, guarded, impl.opts)


class Answering:
    """Which plugin's implementation of a hook is being asked, and what each answered:
    pluggy's results name no plugin, and a host with several must be told which one
    to fix (review s45D F04, F06)."""

    def __init__(self) -> None:
        self.current = "?"
        """The plugin being asked (:func:`plugin_label`), ``?`` between calls."""
        self.answers: list[tuple[str, object]] = []

    def plugin_of(self, answer: object) -> str:
        """The plugin that handed back ``answer`` (``?`` for one a wrapper put in)."""
        return next((label for label, a in self.answers if a is answer), "?")


def call_naming(
    caller: pluggy.HookCaller, kwargs: Mapping[str, object], answering: Answering
) -> list[object]:
    """An all-results hook called as pluggy calls it (wrappers and tracing included),
    its results as pluggy gives them, with ``answering`` told who is asked and what
    each plain implementation answered."""
    impls = [
        impl if impl.wrapper or impl.hookwrapper else _naming(impl, answering)
        for impl in caller.get_hookimpls()
    ]
    results = caller._hookexec(caller.name, impls, kwargs, False)
    return results if isinstance(results, list) else [results]


def _naming(impl: pluggy.HookImpl, answering: Answering) -> pluggy.HookImpl:
    function = impl.function
    label = plugin_label(impl.plugin)

    @functools.wraps(function)  # its signature: pluggy passes the arguments it names
    def naming(*args: object) -> object:
        answering.current = label
        try:
            answer = function(*args)
        finally:
            answering.current = "?"
        answering.answers.append((label, answer))
        return answer

    return pluggy.HookImpl(impl.plugin, impl.plugin_name, naming, impl.opts)


def plugin_label(plugin: object) -> str:
    """A plugin as an error names it: a module by its name, an object by its class."""
    name = getattr(plugin, "__name__", None)
    return name if isinstance(name, str) else type(plugin).__name__


def closed_awaitable(value: object) -> bool:
    """Whether a hook's answer is an awaitable: a plain function that handed back a
    coroutine did none of its work.  It is closed, never run (no "never awaited"
    warning at garbage collection)."""
    if not inspect.isawaitable(value):
        return False
    close = getattr(value, "close", None)
    if callable(close):
        close()
    return True


AWAITABLE_ANSWER = (
    "answered with an awaitable (a coroutine?); complaintcore calls hooks"
    " synchronously and needs the answer itself"
)
"""Why a hook's awaitable answer is refused or dropped."""

GENERATOR_ANSWER = (
    "answered with a generator (a yield in a plain hook?); complaintcore calls hooks"
    " synchronously and never runs its body"
)
"""Why a listener's generator answer is dropped (review s50F F04)."""


def check_answer(hook: str, value: object, kind: Any, expected: str) -> None:
    """Refuse a hook's answer of the wrong shape (:class:`InvalidInputError` naming the
    hook): pluggy does not check implementations against the specs, nor does mypy,
    and a wrong shape would otherwise fail later, deep in the desk, naming no hook."""
    if closed_awaitable(value):
        raise InvalidInputError(hook, AWAITABLE_ANSWER)
    if isinstance(value, kind):
        return
    reason = f"expected {expected}, got {type(value).__name__}"
    members = _members(kind)
    lacking = [m for m in members if not hasattr(value, m)]
    if lacking and len(lacking) < len(members):  # an attempt at one: say what it lacks
        more = f" and {len(lacking) - 5} more" if len(lacking) > 5 else ""
        reason += f" (it lacks {', '.join(lacking[:5])}{more})"
    raise InvalidInputError(hook, reason)


def _members(kind: type) -> list[str]:
    """The public members a protocol asks for (none for a plain class)."""
    if not getattr(kind, "_is_protocol", False):
        return []
    names: set[str] = set()
    for base in kind.__mro__:
        if getattr(base, "_is_protocol", False) and base.__module__ != "typing":
            names.update(n for n in vars(base) if not n.startswith("_"))
            names.update(n for n in getattr(base, "__annotations__", {}) if not n.startswith("_"))
    return sorted(names)


class PluginError(ComplaintCoreError, pluggy.PluginValidationError):
    """A plugin implements a hook that does not exist, with wrong arguments, or as an
    ``async def`` or a generator function (the desk calls hooks synchronously); is a
    class where an instance was meant; is passed in as a text, ``None`` or a number, or
    implements no hook at all; is passed in twice or installed under two names; or an
    installed plugin cannot be imported or implements no hook, when ``.entry_point``,
    ``.distribution`` and ``.version`` say which, and ``.cause`` why it cannot be
    imported or ``.no_hook`` why it implements no hook (empty otherwise)."""

    def __init__(
        self,
        plugin: object,
        message: str,
        *,
        entry_point: str = "",
        distribution: str = "",
        version: str = "",
        cause: str = "",
        no_hook: str = "",
    ) -> None:
        super().__init__(plugin, message)
        self.entry_point = entry_point
        self.distribution = distribution
        self.version = version
        self.cause = cause
        self.no_hook = no_hook

    @classmethod
    def unimportable(
        cls,
        ep: importlib.metadata.EntryPoint,
        dist: importlib.metadata.Distribution,
        exc: BaseException,
    ) -> PluginError:
        """An installed plugin whose import failed: what to fix is named in full, since
        the bare import error names only a module the host may never have heard of.

        Only an :class:`ImportError`'s text is quoted (it names the module missing);
        any other exception by its type alone, as a raising hook is: a plugin
        connecting at import may quote a password or a person (PRV-1; review s45D F05).
        """
        said = " ".join(str(exc).split())[:200] if isinstance(exc, ImportError) else ""
        cause = f"{type(exc).__name__}: {said}" if said else type(exc).__name__
        return cls._installed(ep, dist, UNIMPORTABLE_PLUGIN, cause=cause)

    @classmethod
    def implements_no_hook(
        cls,
        ep: importlib.metadata.EntryPoint,
        dist: importlib.metadata.Distribution,
        why: str,
    ) -> PluginError:
        """An installed plugin that implements no hook (review s51C F01): ``why`` names
        its functions without ``@hookimpl`` or misspelt, and the entry point and the
        distribution to fix or uninstall are named, as for one that cannot be imported."""
        return cls._installed(ep, dist, HOOKLESS_PLUGIN, no_hook=why)

    @classmethod
    def _installed(
        cls,
        ep: importlib.metadata.EntryPoint,
        dist: importlib.metadata.Distribution,
        text: str,
        *,
        cause: str = "",
        no_hook: str = "",
    ) -> PluginError:
        """An installed plugin refused by ``text`` (a message of :mod:`complaintcore.i18n`
        naming it, its entry point and its distribution, and ``cause`` or ``no_hook``
        as ``why``)."""
        name = dist.metadata["Name"] or "?"
        version = dist.version or "?"
        entry_point = f"{ep.name} = {ep.value}"
        message = text.format(
            name=repr(ep.name),
            entry_point=entry_point,
            distribution=name,
            version=version,
            cause=cause,
            why=no_hook,
        )
        return cls(
            ep.name,
            message,
            entry_point=entry_point,
            distribution=name,
            version=version,
            cause=cause,
            no_hook=no_hook,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        if not isinstance(self.plugin, types.ModuleType):
            return reduced(self)  # a class, a function or a name; an instance by value
        # a module plugin (no module pickles) goes by its import name, as a class does
        _, made, state = reduced(self)
        del state["plugin"]
        return (_with_module, (*made, self.plugin.__name__), state)


def _with_module(kind: type[PluginError], args: tuple[Any, ...], module: str) -> PluginError:
    """A pickled or copied :class:`PluginError` about the module plugin ``module``."""
    error = rebuilt(kind, args)
    error.plugin = importlib.import_module(module)
    return error


def unusable_classification(found: object, pack: RulePack) -> str:
    """Why a ``complaintcore_classify`` answer cannot classify a complaint under
    ``pack`` (``""`` when it can, or when there is none): codes are quoted only
    when they look like codes (PRV-1)."""
    if found is None:
        return ""
    if closed_awaitable(found):
        return AWAITABLE_ANSWER
    if not isinstance(found, Classification):
        return f"expected a Classification, got {type(found).__name__}"
    if not pack.has_category(found.category):
        shown = shown_code(found.category)
        return f"answered category {shown}, not in pack {pack.name}"
    if found.department and not pack.has_department(found.department):
        shown = shown_code(found.department)
        return f"answered department {shown}, not in pack {pack.name}"
    return ""


def notifiers_of(groups: Iterable[object], answering: Answering | None = None) -> list[Notifier]:
    """The channels ``complaintcore_get_notifiers`` answered: each plugin's answer a
    list of notifiers, refused naming the hook when it is anything else, and a
    notifier without a name naming the plugin too (``answering``)."""
    hook = "complaintcore_get_notifiers"
    found: list[Notifier] = []
    for group in groups:
        if closed_awaitable(group):
            raise InvalidInputError(hook, AWAITABLE_ANSWER)
        if isinstance(group, Notifier):
            raise InvalidInputError(
                hook, f"expected a list of notifiers, got one {type(group).__name__} (return [it])"
            )
        if isinstance(group, str | bytes | Mapping) or not isinstance(group, Iterable):
            raise InvalidInputError(
                hook, f"expected a list of notifiers, got {type(group).__name__}"
            )
        plugin = answering.plugin_of(group) if answering is not None else "?"
        for k, n in enumerate(group):
            check_answer(hook, n, Notifier, "a list of Notifier (a name and send)")
            _check_name(n, plugin, k)
            check_send_shape(n, hook)
            found.append(n)
    return found


def _check_name(notifier: Notifier, plugin: str, index: int) -> None:
    """A channel's name, checked where the plugin is known: the outbox routes by it, and
    ``notifiers[i]`` of the merged list names no plugin (review s45D F06)."""
    name = notifier.name
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(
            "complaintcore_get_notifiers",
            f"plugin {plugin}: notifiers[{index}].name: expected the channel's name",
        )


def check_send_shape(notifier: Notifier, path: str) -> None:
    """``send`` callable with ``(notification, recipient)``: the Protocol's check sees
    only that the attribute exists, and a wrong one would fail every delivery with a
    raw ``TypeError`` until its messages are dead letters (review s39B F08)."""
    send = getattr(notifier, "send", None)
    name = getattr(notifier, "name", "?")
    if not callable(send):
        raise InvalidInputError(
            path, f"{name}: send is a {type(send).__name__}, not a function to call"
        )
    try:
        signature = inspect.signature(send)
    except (TypeError, ValueError):  # a builtin without a signature: taken on trust
        return
    try:
        signature.bind(None, None)
    except TypeError:
        raise InvalidInputError(
            path,
            f"{name}: send({', '.join(signature.parameters)}) cannot be called as"
            " send(notification, recipient)",
        ) from None


def check_notifiers(notifiers: Sequence[Notifier]) -> None:
    """Each notifier has a name and a plain ``send``: the outbox routes by name, and the
    desk calls ``send`` in a thread, where a coroutine function's message would never go."""
    for i, n in enumerate(notifiers):
        check_answer(f"notifiers[{i}]", n, Notifier, "a Notifier (a name and send)")
        check_send_shape(n, f"notifiers[{i}].send")
        if not isinstance(n.name, str) or not n.name.strip():
            raise InvalidInputError(f"notifiers[{i}].name", "expected the channel's name")
        if inspect.iscoroutinefunction(getattr(n, "send", None)):
            # called without an event loop, it would return a coroutine never run,
            # and the message would count as sent
            raise InvalidInputError(
                "notifiers",
                f"{n.name}: send is a coroutine function; the desk calls send in a"
                " thread and needs a plain function (wrap it with asyncio.run)",
            )
        _check_send_bounds(n, f"notifiers[{i}]")


LONGEST_SEND = 86_400.0
"""A day: no channel's send may be declared to run longer (the desk holds a copy of
its message back that long after a send it stopped waiting for)."""


def _check_send_bounds(notifier: Notifier, path: str) -> None:
    """``longest_send`` (and the ``timeout``/``reply_timeout`` that stand in for it)
    as numbers of seconds the desk can wait: an infinite or huge bound would make the
    hold after a timed-out send unrepresentable, and every delivery pass fail on it
    (review s36B F01).  A ``timeout`` that is not a number is the host's own business."""
    declared = getattr(notifier, "longest_send", None)
    if declared is not None and (
        isinstance(declared, bool) or not isinstance(declared, int | float)
    ):
        raise InvalidInputError(
            f"{path}.longest_send", f"expected seconds as a number, got {type(declared).__name__}"
        )
    for name in ("longest_send", "timeout", "reply_timeout"):
        value = getattr(notifier, name, None)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not math.isfinite(value) or value > LONGEST_SEND:
            raise InvalidInputError(
                f"{path}.{name}", "must be a finite number of seconds, at most a day (86400)"
            )
