"""Deliver the outbox: in order, within flood limits, durably, and without retry storms.

The outbox (``state.outbox``) holds posts, digests, alerts and edits. An entry is saved as *pending*
before anything is sent and as *sent* (with its ``message_id``) right after the sender confirms it, one
``store.save`` per confirmed send, so a crash at any moment loses nothing: whatever is still pending is
sent by the next run.

Repeats. The Bot API has no idempotency key. When the answer to a send is lost (`FailureKind.ANSWER_LOST`)
we cannot know whether the message was posted; the entry is resent after a pause (never immediately), so
a duplicate is possible exactly in that case and no other. Such sends are counted in
`DeliveryReport.possible_duplicates`. A request that never left (`NOT_SENT`) is never counted so.

Flood limits are planned, not only reacted to: per chat, at most ``max_per_minute`` sends in any
``window_seconds`` (60 s; shorter in tests) and at least ``min_interval_seconds`` between two sends
(admin chats: the sender's private-chat spacing). Each chat's entries go strictly in order; an alert
may go between two channel posts while the channel waits out its spacing. The recent send times are
kept in ``state.delivery_sends`` so a restart does not burst. Reactions, by `FailureKind`:

- RETRY_AFTER: wait the time given (+ a margin) and send the same entry again;
- NOT_SENT, SERVER_ERROR, ANSWER_LOST: back off exponentially (``not_before``), count ``attempts``;
  after ``max_attempts`` the entry is parked as *failed* and the admins are alerted. Attempts that
  never reached Telegram are not counted against the entry; ``max_attempts`` of them in a row end the
  run (everything stays pending);
- MIGRATED: switch to the new chat id, send again, and tell the admins to update the config;
- CHAT_REFUSED (the bot was removed from the channel, lacks rights, the chat is gone): a person can
  fix it, so nothing is given up: the entry stays pending, the chat is paused
  (``refusal_pause_seconds``, doubling up to 6 h) and the admins are told once what waits; when the
  pause runs out the head entry is the probe, and once it goes through everything that waited follows.
  Alerts to an admin chat that refuses the bot are dropped (parked), never alerted about;
- MESSAGE_REJECTED: Telegram refused this message's content: the entry is parked as *failed* and the
  admins are told which post (headline and link); /retry requeues it after the cause is fixed;
- NOT_MODIFIED (an edit to the same text): done;
- TOKEN_REJECTED: delivery stops and pauses (the same doubling pause); when it runs out one getMe is
  the probe, and delivery resumes when the token is accepted again.

Durability. Every send needs the state file: an entry is sent only after it is saved as pending. When
the state cannot be written (a full disk), only admin alerts go out (they are safe to lose or repeat)
and `DeliveryReport.state_error` says why; the rest waits in memory until a save succeeds again.

Clock steps. Saved times (send history, backoff deadlines, chat pauses) are wall-clock times, each
deadline kept with the delay it was set for (`bot.backoff.corrected`): after the clock steps back (an
NTP correction) no deadline waits longer than its own delay, and a send recorded "in the future" counts
as sent now, so the step itself delays nothing.

With ``backlog_digest_threshold > 0``, a backlog of more posts than that (say after an outage) is
folded into one digest post (`render.render_digest`); the folded entries get status ``folded``.
"""

from bot.delivery.pacing import FloodLimiter
from bot.delivery.run import DeliveryReport, deliver_pending, requeue_failed
from bot.delivery.settings import CHANNEL_MAX_PER_MINUTE, DeliveryConfig

__all__ = [
    "CHANNEL_MAX_PER_MINUTE",
    "DeliveryConfig",
    "DeliveryReport",
    "FloodLimiter",
    "deliver_pending",
    "requeue_failed",
]
