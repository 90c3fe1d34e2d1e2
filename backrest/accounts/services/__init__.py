"""What the account endpoints do, one module per concern.

No answer may tell a stranger whether an address has an account: unknown
and known addresses get the same answer, and what differs goes to the
address's owner by mail.
"""
