"""Django's makemessages, with core.text.format_count and core.text.plural_noop as plural keywords of xgettext.

`format_count(n, "%(n)s flag", "%(n)s flags")` is then extracted like ngettext, and so is
`plural_noop("%(n)s program", "%(n)s programs")` (a pair kept in a table, translated later; Django documents
this way of passing xgettext options: subclass the command and extend xgettext_options).
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = makemessages.Command.xgettext_options + ["--keyword=format_count:2,3", "--keyword=plural_noop:1,2"]
