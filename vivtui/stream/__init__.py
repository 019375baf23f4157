"""Runs through NATS JetStream: shipped from their hosts, mirrored where they are watched."""
