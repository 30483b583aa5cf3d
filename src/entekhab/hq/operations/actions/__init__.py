"""Every write of the operations app: ``do_*`` functions that check the role, run in a
transaction and write an audit event. One module per concept."""
