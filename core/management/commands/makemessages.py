"""Django's makemessages, with core.text.format_count as a plural keyword of xgettext.

`format_count(n, "%(n)s flag", "%(n)s flags")` is then extracted like ngettext (Django documents
this way of passing xgettext options: subclass the command and extend xgettext_options).
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = makemessages.Command.xgettext_options + ["--keyword=format_count:2,3"]
