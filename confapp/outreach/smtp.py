"""One SMTP connection, driven command by command so that the final "." of DATA (the point
of no return) is sent only after the caller has committed the handover."""
from __future__ import annotations

import re
import smtplib
import socket
from dataclasses import dataclass

from ..extensions import mail

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class ConnectionLost(Exception):
    """The SMTP connection failed before the point of no return."""


@dataclass
class Prepared:
    delivery_id: int
    address: str
    data: bytes


@dataclass
class Outcome:
    delivery_id: int
    code: int
    reply: str

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()[:500]


class SmtpSession:
    """One SMTP connection; `offer` runs a transaction up to (not including) the final dot."""

    def __init__(self):
        self.connection = None

    def open(self) -> None:
        try:
            self.connection = mail.connect()
            self.connection.__enter__()
            if self.connection.host is None:
                raise ConnectionLost("mail sending is suppressed")
            # The content and the final "." are separate writes: without NODELAY, Nagle's
            # algorithm holds the dot until the server's delayed ACK (~40 ms per message).
            self.connection.host.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.connection.host.ehlo_or_helo_if_needed()
        except (OSError, smtplib.SMTPException) as error:
            self.connection = None
            raise ConnectionLost(str(error)) from error

    @property
    def smtp(self) -> smtplib.SMTP:
        return self.connection.host

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.__exit__(None, None, None)
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None

    def offer(self, sender: str, prepared: Prepared) -> Outcome | None:
        """MAIL, RCPT, DATA and the content. Returns an Outcome if the server refused before
        the content (nothing was sent), or None when only the final "." remains."""
        try:
            smtp = self.smtp
            code, reply = smtp.mail(sender)
            if code != 250:
                self._reset(code)
                return Outcome(prepared.delivery_id, code, _reply_text(code, reply))
            code, reply = smtp.rcpt(prepared.address)
            if code not in (250, 251):
                self._reset(code)
                return Outcome(prepared.delivery_id, code, _reply_text(code, reply))
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                self._reset(code)
                return Outcome(prepared.delivery_id, code, _reply_text(code, reply))
            data = _LEADING_DOT.sub(b"..", prepared.data)
            if not data.endswith(CRLF):
                data += CRLF
            smtp.send(data)
            return None
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionLost(str(error)) from error

    def abort(self) -> None:
        """Drop the connection without QUIT: mid-DATA, the server discards the transaction."""
        if self.connection is not None and self.connection.host is not None:
            try:
                self.connection.host.close()
            except OSError:
                pass
        self.connection = None

    def _reset(self, code: int) -> None:
        if code == 421:  # the server is closing the connection
            raise ConnectionLost("421 from server")
        self.smtp.rset()

    def commit_point(self, delivery_id: int) -> Outcome:
        """Send the final "." and read the reply. Raises ConnectionLost if the dot could not be
        written (not delivered); returns code 0 if it was written but no reply came (in doubt)."""
        try:
            self.smtp.send(b"." + CRLF)
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionLost(str(error)) from error
        try:
            code, reply = self.smtp.getreply()
        except smtplib.SMTPServerDisconnected as error:
            # The server closed the connection instead of answering: a server replies as soon as
            # it has taken a message, so it did not take this one. Queue it again (a server that
            # crashes between storing and replying is the one case that could then duplicate).
            # A reply that merely did not come in time stays in doubt (at-most-once).
            if not isinstance(error.__context__, TimeoutError):
                raise ConnectionLost(str(error)) from error
            return Outcome(delivery_id, 0, "No reply from the server after the message was handed over.")
        except (OSError, smtplib.SMTPException):
            return Outcome(delivery_id, 0, "No reply from the server after the message was handed over.")
        return Outcome(delivery_id, code, _reply_text(code, reply))
