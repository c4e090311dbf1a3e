"""The answers at each booking step, one module per step; each step's question, and
`advance`, are in conversations/flow.py, and conversations/router.py registers them."""
