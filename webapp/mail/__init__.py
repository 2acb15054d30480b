"""Mail: the transactional outbox and its delivery."""

from webapp.mail.services import Attachment, queue_email

__all__ = ["Attachment", "queue_email"]
