"""`spasm config` (settings kept in the spasm home) and `spasm help`."""

from typing import Annotated

import typer

from back_spasm_cli.cli import command, group
from back_spasm_cli.cli.state import output_options, state_of

config_app = typer.Typer(
    help="Settings spasm remembers, such as your region (--region and SPASM_REGION win).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
group("config", config_app)

KeyArg = Annotated[str, typer.Argument(help="The setting: region.", show_default=False)]


@config_app.command("show")
@output_options(region=False, full=False)
def config_show(ctx: typer.Context) -> None:
    """Show the saved settings and where they are kept."""
    from back_spasm_cli.personal import config
    from back_spasm_cli.views.document import Document, Section

    settings = config.load()
    facts = tuple((key, settings.get(key, "(not set)")) for key in config.KNOWN)
    state_of(ctx).show(
        Document(
            sections=(Section(title="Settings", facts=(*facts, ("File", str(config.path())))),),
            payload={"settings": settings, "file": str(config.path())},
        )
    )


@config_app.command("set")
def config_set(
    ctx: typer.Context,
    key: KeyArg,
    value: Annotated[str, typer.Argument(help="e.g. uk, us, eu, england, germany.")],
) -> None:
    """Remember a setting, e.g. `spasm config set region uk`."""
    from back_spasm_cli.errors import UsageError
    from back_spasm_cli.knowledge import regions
    from back_spasm_cli.personal import config
    from back_spasm_cli.render.text import clean

    settings = config.load()
    if key == "region":
        region = regions.find(state_of(ctx).kb().content, value)
        if region is None:
            raise UsageError(f"unknown region {value!r}; see `spasm doctor --full` for the list")
        value = region.id
    elif key == "lang":
        from back_spasm_cli.system import i18n

        value = i18n.check(value, "`spasm config set lang`")
    settings[key] = value
    path = config.save(settings)
    typer.echo(f"{clean(key)} = {clean(value)} (saved in {clean(str(path))})")


@config_app.command("unset")
def config_unset(key: KeyArg) -> None:
    """Forget a setting, e.g. `spasm config unset region`."""
    from back_spasm_cli.personal import config

    settings = config.load()
    settings.pop(key, None)
    config.save(settings)
    typer.echo(f"{key} is no longer set")


@command("help")
def help_command(
    ctx: typer.Context,
    name: Annotated[
        list[str] | None,
        typer.Argument(help="A command (and sub-command), e.g. `remedy` or `kb validate`."),
    ] = None,
) -> None:
    """Show the help of spasm, or of one command."""
    from back_spasm_cli.errors import UsageError

    root = ctx.find_root()
    target = root.command
    target_ctx = root
    for word in name or []:
        sub = getattr(target, "get_command", lambda _ctx, _name: None)(target_ctx, word)
        if sub is None:
            raise UsageError(f"no command {word!r}; see `spasm help`")
        target_ctx = typer.Context(sub, info_name=sub.name, parent=target_ctx)
        target = sub
    typer.echo(target.get_help(target_ctx))
