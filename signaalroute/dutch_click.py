"""Click, spoken in Dutch: help headings, metavars, errors, and hidden aliases for renamed commands and options.

The people at the command line are beheerders of a Dutch municipality; the rest of the system speaks
Dutch to them (the web UI, the CLI's output, the audit log), so the command names, options and help
do too (docs/architecture.md, "One language at the command line"). The English names of the first
release keep working as hidden aliases for one release: a cron job or script that calls
``signaalroute users create --username …`` does not break on upgrade, but ``--help`` shows only the
Dutch names, and using an old command name prints a note on standard error saying what it is called now.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

HELP_TEXT = "Deze hulptekst tonen en stoppen."


def _metavar(kind: Any) -> str | None:
    """A Dutch placeholder for an option's value, instead of click's TEXT, INTEGER, PATH."""
    if isinstance(kind, click.Choice):
        return None  # click shows the choices themselves
    if isinstance(kind, click.IntRange) or kind is int or isinstance(kind, click.types.IntParamType):
        return "GETAL"
    if isinstance(kind, click.Path):
        return "BESTAND"
    return "TEKST"


class DutchOption(click.Option):
    """An option whose old (English) spellings work but are left out of the help."""

    def __init__(self, *args: Any, hidden_aliases: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_aliases = tuple(hidden_aliases)
        if self.metavar is None and not self.is_flag:
            self.metavar = _metavar(self.type)

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return " / ".join(f"'{o}'" for o in self.opts if o not in self.hidden_aliases)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self.hidden:
            return None
        shown = copy.copy(self)
        shown.opts = [o for o in self.opts if o not in self.hidden_aliases]
        shown.secondary_opts = [o for o in self.secondary_opts if o not in self.hidden_aliases]
        extra = ["verplicht"] if self.required else []
        help_text = self.help or ""
        if extra:
            help_text = f"{help_text}  [{'; '.join(extra)}]" if help_text else f"[{'; '.join(extra)}]"
        return click.Option.get_help_spec(shown, ctx), help_text


def option(*decls: str, aliases: Sequence[str] = (), **kwargs: Any) -> Callable[[F], F]:
    """``click.option`` with the Dutch name(s) first and the old names in ``aliases`` (hidden in the help)."""
    return click.option(*decls, *aliases, cls=DutchOption, hidden_aliases=aliases, **kwargs)


def argument(*decls: str, **kwargs: Any) -> Callable[[F], F]:
    return click.argument(*decls, **kwargs)


class _DutchHelp:
    """Headings and the help option in Dutch; shared by commands and groups."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        help_option = click.Command.get_help_option(self, ctx)  # type: ignore[arg-type]
        if help_option is not None:
            help_option.help = HELP_TEXT
        return help_option

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Gebruik: ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            record = param.get_help_record(ctx)
            if record is not None and not isinstance(param, click.Argument):
                rows.append(record)
        if rows:
            with formatter.section("Opties"):
                formatter.write_dl(rows)


class DutchCommand(_DutchHelp, click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIES]")
        super().__init__(*args, **kwargs)


class DutchGroup(_DutchHelp, click.Group):
    """A group whose subcommands are Dutch; ``aliases`` maps an old name to the new one, hidden from the help."""

    command_class = DutchCommand

    def __init__(self, *args: Any, aliases: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIES]")
        kwargs.setdefault("subcommand_metavar", "OPDRACHT [ARGUMENTEN]...")
        super().__init__(*args, **kwargs)
        self.aliases = dict(aliases or {})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        new = self.aliases.get(cmd_name)
        if new is not None and not ctx.resilient_parsing:
            click.echo(f"Let op: ‘{cmd_name}’ heet nu ‘{new}’; de oude naam verdwijnt in een volgende versie.",
                       err=True)
        return super().get_command(ctx, new or cmd_name)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):  # only the real commands: an alias is no key of self.commands
            command = self.commands[name]
            if not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Opdrachten"):
                formatter.write_dl(rows)


DutchGroup.group_class = DutchGroup


class DutchRoot(DutchGroup):
    """The ``signaalroute`` command itself: click's own parse errors are shown in Dutch too."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            dutch(exc).show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Afgebroken.", err=True)
            sys.exit(1)
        # Without standalone mode click returns the exit code of an Exit (--help, ctx.exit) and else the result.
        sys.exit(result if isinstance(result, int) else 0)


class Fout(click.ClickException):
    """An error the operator reads: "Fout: …" on standard error, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Fout: {self.format_message()}", err=file is None, file=file)


class Gebruiksfout(click.UsageError):
    """Wrong use of a command: the usage line, a pointer to ``--help`` and the reason, exit code 2."""

    def show(self, file: IO[Any] | None = None) -> None:
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), err=file is None, file=file)
            click.echo(f"Zie '{self.ctx.command_path} --help' voor de hulptekst.\n", err=file is None, file=file)
        click.echo(f"Fout: {self.format_message()}", err=file is None, file=file)


# Click's messages for a value its type rejects, in Dutch (the value quoted as click quotes it).
_VALUE_MESSAGES = [
    (re.compile(r"^(.*) is not a valid (?:integer|integer range|float)\.$"), r"\1 is geen geldig getal."),
    (re.compile(r"^(.*) is not in the range (.*)\.$"), r"\1 ligt niet in het bereik \2."),
    (re.compile(r"^(.*) is not one of (.*)\.$"), r"\1 is niet een van \2."),
    (re.compile(r"^(?:File|Path|Directory) (.*) does not exist\.$"), r"Bestand \1 bestaat niet."),
    (re.compile(r"^(?:File|Path) (.*) is a directory\.$"), r"\1 is een map, geen bestand."),
]


def _value_message(message: str) -> str:
    for pattern, dutch_message in _VALUE_MESSAGES:
        if pattern.match(message):
            return pattern.sub(dutch_message, message)
    return message


def _visible(ctx: click.Context | None, names: Sequence[str]) -> list[str]:
    """Suggestions without the hidden old names and without --help."""
    hidden = {"--help"}
    if ctx is not None:
        for param in ctx.command.params:
            hidden.update(getattr(param, "hidden_aliases", ()))
            if getattr(param, "hidden", False):
                hidden.update(param.opts)
    return [n for n in names if n not in hidden]


def _hint(exc: click.BadParameter) -> str:
    if exc.param_hint is not None:
        return exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(f"'{h}'" for h in exc.param_hint)
    return exc.param.get_error_hint(exc.ctx) if exc.param is not None else ""


def dutch(exc: click.ClickException) -> click.ClickException:
    """Click's own errors (missing option, unknown command, a value that is no number) said in Dutch."""
    if isinstance(exc, (Fout, Gebruiksfout, click.exceptions.NoArgsIsHelpError)):
        return exc
    if isinstance(exc, click.MissingParameter):
        kind = "argument" if isinstance(exc.param, click.Argument) else "optie"
        message = f"{kind.capitalize()} {_hint(exc)} ontbreekt."
    elif isinstance(exc, click.BadParameter):
        message = f"Ongeldige waarde voor {_hint(exc)}: {_value_message(exc.message)}"
    elif isinstance(exc, click.NoSuchOption):
        message = f"Onbekende optie ‘{exc.option_name}’."
        if suggestions := _visible(exc.ctx, exc.possibilities or []):
            message += " Bedoelt u " + " of ".join(f"‘{p}’" for p in suggestions) + "?"
    elif isinstance(exc, click.exceptions.NoSuchCommand):
        message = f"Onbekende opdracht ‘{exc.command_name}’."
        if exc.possibilities:
            message += " Bedoelt u " + " of ".join(f"‘{p}’" for p in exc.possibilities) + "?"
    elif isinstance(exc, click.UsageError):
        message = exc.format_message()
    else:
        return Fout(exc.format_message())
    return Gebruiksfout(message, exc.ctx) if isinstance(exc, click.UsageError) else Fout(message)
