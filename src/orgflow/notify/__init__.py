"""Notifications: outbox rows written with the command that caused them, delivered by jobs to channels.

Channels are the in-app inbox (站内消息), email over SMTP, a generic signed
webhook, and the DingTalk, WeCom and Feishu group robots
(:mod:`orgflow.notify.channels`).
"""
