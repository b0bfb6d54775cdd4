"""Parse the text form of a command, shared by the console and Slack's single slash command.

    /salary germany
    /salary compare uk germany
    /interview topic:statistics difficulty:hard
    /search "gradient descent"

Words of the form ``name:value`` fill the option ``name`` when the command has one; other
words fill the command's options in order, the greedy option (a search query) taking the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.errors import UserError
from bot.core.lookup import Resolver, did_you_mean
from bot.core.registry import Command, Option, Registry
from bot.core.safety import neutralize

MAX_INPUT = 2000

Spelling = Callable[[Command], tuple[str, ...]]


@dataclass
class Parsed:
    command: Command
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Word:
    """One word of a command line; ``quoted`` when the member put it in quotes."""

    text: str
    quoted: bool = False
    head: str = ""  # what came before the opening quote: "name:" in name:"Night Owls"

    @property
    def named(self) -> bool:
        """Whether the word may be ``name:value`` (the colon was not inside quotes)."""
        return ":" in self.text and (not self.quoted or self.head.endswith(":"))


# Words members type for something another command shows (what study bots commonly call it).
COMMAND_WORDS = {
    "streak": "profile",
    "streaks": "profile",
    "points": "profile",
    "stats": "profile",
    "me": "profile",
    "progress": "profile",
    "rank": "leaderboard",
    "top": "leaderboard",
    "lb": "leaderboard",
    "scores": "leaderboard",
    "question": "interview",
    "questions": "interview",
    "practice": "quiz",
    "pay": "salary",
    "salaries": "salary",
    "due": "review",
    "flashcards": "review",
}
CHECK_IN_WORDS = {"checkin", "check-in", "check", "studied", "done"}


# Opening quote → the quotes that close it. Phones type typographic quotes.
_QUOTES = {'"': '"”', "“": '”"', "”": '”"', "'": "'’", "‘": "’'"}
_OPTION_NAME = re.compile(r"^[A-Za-z][A-Za-z_-]{0,30}$")


def tokens(text: str) -> list[Word]:
    """Words of ``text``; a quoted stretch (``"Deep Learners"``, ``name:"Night Owls"``) is one
    word. A quote opens only at the start of a word or after ``name:``, so apostrophes inside
    words ("Don't") stay letters; an unclosed quote is dropped and its words split plainly."""
    if not any(q in text for q in _QUOTES):
        return [Word(w) for w in text.split()]  # the common case
    out: list[Word] = []
    buf: list[str] = []
    quoted, head = False, ""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            if buf or quoted:
                out.append(Word("".join(buf), quoted, head))
            buf, quoted, head = [], False, ""
            i += 1
            continue
        at_start = not buf or (buf[-1] == ":" and not quoted)
        if ch in _QUOTES and at_start:
            closers = _QUOTES[ch]
            end = next((j for j in range(i + 1, n) if text[j] in closers), -1)
            if end != -1:
                head = "".join(buf)
                buf.append(text[i + 1 : end])
                quoted = True
                i = end + 1
                continue
            i += 1  # an unclosed quote: drop it
            continue
        buf.append(ch)
        i += 1
    if buf or quoted:
        out.append(Word("".join(buf), quoted, head))
    return out


def split_words(text: str) -> list[str]:
    """The words of ``text`` as strings (quotes group words; see ``tokens``)."""
    return [w.text for w in tokens(text)]


def parse(
    registry: Registry, text: str, *, prefix: str = "/", spell: Spelling | None = None
) -> Parsed:
    """Resolve ``text`` to a command and its raw string options, or raise UserError.

    Errors name what was not understood: an unknown command or subcommand (with "did you
    mean"), an unknown or repeated option, an empty ``name:``, words left over."""
    text = text.strip()
    if len(text) > MAX_INPUT:
        raise UserError(f"That message is too long for a command (over {MAX_INPUT} characters).")
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :]
    words = tokens(text)
    if not words:
        words = [Word("help")]
    cmd, used = registry.resolve([w.text for w in words])
    if cmd is None:
        raise _unknown(registry, [w.text for w in words], spell)
    if used == 1 and len(words) > 1 and not words[1].quoted:
        _check_subcommand_typo(registry, cmd, words[1].text)
    return Parsed(cmd, bind(cmd, words[used:], spell))


def _unknown(registry: Registry, words: list[str], spell: Spelling | None) -> UserError:
    first = words[0].lower()
    word = neutralize(words[0], 40)
    family = registry.subcommands(first)
    if family or any(c.path[0] == first for c in registry.commands.values()):
        subs = sorted(c.path[1] for c in family)
        if len(words) > 1:
            typed = neutralize(words[1], 40)
            near = _subcommand_resolver(registry, first).suggest(words[1])
            if near:
                return UserError(
                    f"I don't know /{word} {typed}.{did_you_mean(['/' + first + ' ' + s for s in near])} "
                    f"/{word} takes one of: {', '.join(subs)}.",
                    suggestions=[f"{first} {s}" for s in near],
                )
            return UserError(
                f"I don't know /{word} {typed}. /{word} takes one of: {', '.join(subs)}.",
                suggestions=[f"{first} {s}" for s in subs],
            )
        return UserError(
            f"/{word} needs one of: {', '.join(subs)}. /help {first} explains each.",
            suggestions=[f"{first} {s}" for s in subs],
        )
    if words[0].isdigit():  # a button number typed where there are no numbered choices
        return UserError(
            f"“{word}” isn't a command. Numbers press the [1], [2] … choices under a reply in "
            "the console; elsewhere, click the button. Commands start with /, e.g. /help."
        )
    lowered = words[0].lower()
    if lowered in CHECK_IN_WORDS:
        return UserError(
            "Check-ins are a button: press “I studied this” under today's daily prompt in a "
            "subscribed channel (/daily list shows them). Your streak is on /profile."
        )
    if lowered in COMMAND_WORDS:  # "/streak", "/rank": the command that answers it
        target = COMMAND_WORDS[lowered]
        return UserError(
            f"I don't know the command /{word}. /{target} shows that. Try /help.",
            suggestions=[target],
        )
    near = registry.suggest_names(words[0])
    if near and len(words) > 1:  # "/grop create x" → /group create
        cmd, _ = registry.resolve([near[0], words[1]])
        if cmd is not None and len(cmd.path) == 2:
            near = [cmd.name]
    hint = did_you_mean(["/" + n for n in near])
    return UserError(f"I don't know the command /{word}.{hint} Try /help.", suggestions=near)


def _subcommand_resolver(registry: Registry, family: str) -> Resolver[str]:
    return Resolver((c.path[1], c.path[1], ()) for c in registry.subcommands(family))


def _check_subcommand_typo(registry: Registry, cmd: Command, word: str) -> None:
    """``/salary compar uk germany``: a family's root command would take "compar" as its
    value; when it is a close typo of a subcommand (and not a value the command knows), ask."""
    if not registry.subcommands(cmd.path[0]) or (cmd.options and cmd.options[0].greedy):
        return  # a free-text root (/leaderboard <group>) checks its own value
    hit = _subcommand_resolver(registry, cmd.path[0]).resolve(word)
    if hit is None or hit.exact:
        return
    raise UserError(
        f"I don't know /{cmd.path[0]} {neutralize(word, 40)}.{did_you_mean(['/' + cmd.path[0] + ' ' + hit.item])}",
        suggestions=[f"{cmd.path[0]} {hit.item}"],
    )


def bind(
    cmd: Command, words: list[Word] | list[str], spell: Spelling | None = None
) -> dict[str, str]:
    """Map words to the command's options by name:value or by position.

    A quoted word fills one option; otherwise the greedy option (or the last free string
    option) takes the remaining unquoted words, since names have spaces ("united kingdom").
    Raises UserError for an unknown, repeated or empty ``name:`` and for words left over."""
    seq = [w if isinstance(w, Word) else Word(w) for w in words]
    named: dict[str, str] = {}
    positional: list[Word] = []
    free_text = any(o.greedy for o in cmd.options)  # a query or a name keeps "a:b" words
    for w in seq:
        key, sep, value = w.text.partition(":")
        name = key.lower()
        if sep and w.named and cmd.option(name) is not None:
            if name in named:
                raise UserError(
                    f"{name} is given twice (“{neutralize(named[name], 30)}” and "
                    f"“{neutralize(value, 30)}”). Give it once. Usage: {usage_of(cmd, spell)}"
                )
            if not value.strip():
                raise UserError(
                    f"{name}: is empty. Give a value after the colon or leave {name} out. "
                    f"Usage: {usage_of(cmd, spell)}"
                )
            named[name] = value
        elif sep and w.named and not free_text and _OPTION_NAME.match(key):
            known = [o.name for o in cmd.options]
            near = Resolver((n, n, ()) for n in known).suggest(key)
            raise UserError(
                f"/{cmd.name} has no option “{neutralize(key, 30)}”.{did_you_mean(near)} "
                f"Options: {', '.join(known) or 'none'}. Usage: {usage_of(cmd, spell)}"
            )
        else:
            positional.append(w)
    free = [o for o in cmd.options if o.name not in named]
    last_text: str | None = None  # the free-text option filled last, which may take more words
    for i, opt in enumerate(free):
        # "/resources andrew ng": a word that is not one of the next option's choices belongs
        # to the free text before it.
        while (
            opt.choices
            and last_text is not None
            and positional
            and not positional[0].quoted
            and not _names_choice(opt, positional[0].text)
        ):
            named[last_text] += " " + positional.pop(0).text
        if not positional:
            break
        if len(positional) == 1 and not positional[0].quoted and not (opt.choices or opt.greedy):
            # "/interview hard", "/resources book": a lone word that is exactly a later
            # option's choice fills that option, not the free text before it.
            later = next(
                (o for o in free[i + 1 :] if _names_choice(o, positional[0].text, typos=False)),
                None,
            )
            if later is not None:
                named[later.name] = positional.pop(0).text
                break
        takes_rest = opt.greedy or (i == len(free) - 1 and opt.type == "string" and not opt.choices)
        if positional[0].quoted or not takes_rest:
            named[opt.name] = positional.pop(0).text
            last_text = opt.name if opt.type == "string" and not opt.choices else None
            continue
        if i == len(free) - 1:
            named[opt.name] = " ".join(w.text for w in positional)
            positional = []
            break
        # A greedy option with more options after it takes the unquoted words up to the
        # first quoted one: /leaderboard Night Owls "week" (rare, but never a silent drop).
        taken: list[str] = []
        while positional and not positional[0].quoted:
            taken.append(positional.pop(0).text)
        named[opt.name] = " ".join(taken)
    if positional:
        extra = neutralize(" ".join(w.text for w in positional), 60)
        usage = usage_of(cmd, spell)
        raise UserError(f"I didn't understand “{extra}”. Usage: {usage}")
    return named


def _names_choice(opt: Option, word: str, typos: bool = True) -> bool:
    """Whether ``word`` names one of ``opt``'s choices (exactly, by alias or a close typo)."""
    if not opt.choices:
        return False
    aliases = opt.aliases or {}
    entries = [(c, c, [a for a, t in aliases.items() if t == c]) for c in opt.choices]
    return bool(Resolver(entries).candidates(word, typos=typos))


def usage_of(cmd: Command, spell: Spelling | None = None) -> str:
    """``/salary compare <a> <b>``, with the command spelled as ``spell`` says if given."""
    parts = ["/" + " ".join(spell(cmd) if spell else cmd.path)]
    for o in cmd.options:
        parts.append(f"<{o.name}>" if o.required else f"[{o.name}]")
    return " ".join(parts)
