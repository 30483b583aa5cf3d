"""Pure capacity planning: queue models, discrete-event simulation, device sizing (no Django)."""
