// One countdown for every page: "2D 9H 53M 17S" (the 2017 pages' form, the same as
// app/web/round_header.py's remaining_text) until a deadline, then "closed", redrawn on
// each second of the clock.

// Seconds left as "ND NH NM NS".
export function remainingText(seconds) {
  let left = Math.max(0, Math.floor(seconds));
  const days = Math.floor(left / 86400); left %= 86400;
  const hours = Math.floor(left / 3600); left %= 3600;
  return `${days}D ${hours}H ${Math.floor(left / 60)}M ${left % 60}S`;
}

// Shows in `element` the time until deadline() (Unix seconds, or null: not known yet, the
// element is left alone) by now() (Unix seconds; a page may follow the chain's clock
// instead of this computer's). onTick(secondsLeft) runs after each redraw. Returns
// {refresh}: redraw at once (after the deadline or the clock changed).
export function startCountdown(element, { deadline, now = () => Date.now() / 1000, onTick = () => {} }) {
  const draw = () => {
    const end = deadline();
    if (end == null) return;
    const left = Math.max(0, Math.floor(end - now()));
    element.textContent = left === 0 ? "closed" : remainingText(left);
    onTick(left);
  };
  const tick = () => {
    draw();
    setTimeout(tick, 1000 - (Date.now() % 1000));
  };
  tick();
  return { refresh: draw };
}
