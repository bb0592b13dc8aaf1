/** The drill runbook both expiry recorders run: a two-hour block (its lift) then a question that keeps the incident open. */
export const DRILL = `
id: expiry-drill
version: 1
title: Block for two hours
description: A block with a ttl, then a question.
match: 'alert.labels.category == "drill"'
roles:
  respond: [security-oncall]
steps:
  - id: block
    action: network.block-ip
    with: { ip: '{{alert.labels.ip}}', reason: drill, ttl: 2h }
    compensate: true
  - id: still-bad
    input: { ask: Is the source still attacking?, type: boolean, role: respond }
`;
