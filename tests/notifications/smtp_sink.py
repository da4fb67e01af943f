"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts and can refuse or stall on cue."""

import asyncio
import email
import email.policy
import logging
import socket
import threading

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self):
        self.messages = []
        self.connections = []
        self.replies = []  # replies for the next DATA commands, e.g. ["451 4.3.0 Try later"]
        self.stall_next = False  # hold the next DATA until `release` is set, then refuse it
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.stall_next:
            self.stall_next = False
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 The sender went away"
        if self.replies:
            reply = self.replies.pop(0)
            if not reply.startswith("250"):
                return reply
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.connections.append(session.peer)  # which connection brought each accepted message
        return "250 2.0.0 Accepted"

    def start(self):
        # aiosmtpd logs each dropped client at INFO from its own thread, which may outlive the test's output.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        return self

    @property
    def port(self):
        return self.controller.port

    def stop(self):
        self.release.set()
        self.controller.stop()

    def settings(self):
        """override_settings() arguments that point Django's SMTP backend here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }
