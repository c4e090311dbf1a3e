"""Process plumbing with no clinic rule in it: event loop, HTTP stacks, persistence, logs,
metrics, background loops and the flood limits."""
