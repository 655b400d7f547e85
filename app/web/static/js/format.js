// Amounts and dates as the pages write them, in integer arithmetic on BigInt (no amount
// ever passes through a float), the same as the server's views.format_nmr / format_usd
// and client/core/chain/messages.py's formatters.

export const NMR_DECIMALS = 18;

const grouped = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

// amount / 10^decimals to `places` decimals, to the nearest (half away from zero), with
// thousands separators: rounded(999_999_127n, 6, 2) === "1,000.00".
export function rounded(amount, decimals, places) {
  const value = BigInt(amount);
  const magnitude = value < 0n ? -value : value;
  const scale = 10n ** BigInt(places);
  const scaled = (magnitude * scale * 2n / 10n ** BigInt(decimals) + 1n) / 2n;
  const fraction = places ? "." + (scaled % scale).toString().padStart(places, "0") : "";
  return (value < 0n ? "-" : "") + grouped((scaled / scale).toString()) + fraction;
}

// amount / 10^decimals exactly, trailing zeros and the point dropped: exact(5n * 10n**17n) === "0.5".
export function exact(amount, { decimals = NMR_DECIMALS, separators = true } = {}) {
  const value = BigInt(amount);
  const magnitude = value < 0n ? -value : value;
  const unit = 10n ** BigInt(decimals);
  const whole = (magnitude / unit).toString();
  const fraction = (magnitude % unit).toString().padStart(decimals, "0").replace(/0+$/, "");
  return (value < 0n ? "-" : "") + (separators ? grouped(whole) : whole) + (fraction ? "." + fraction : "");
}

// Wei as NMR to 2 decimals (ETH for gas: 4): "1,000.00".
export const nmrText = (wei, places = 2) => rounded(wei, NMR_DECIMALS, places);

// A WAD fraction (a confidence) exactly: "0.5".
export const wadText = (wad) => exact(wad, { separators: false });

// Stablecoin base units as dollars to the cent: "$1,000.00", "-$2.50".
export function usdText(units, decimals = 6) {
  const text = rounded(units, decimals, 2);
  return text.startsWith("-") ? "-$" + text.slice(1) : "$" + text;
}

// Unix seconds as the UTC date and time: "2017-06-01 12:00:00 UTC".
export const utcText = (seconds) =>
  new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";

// Unix seconds in the reader's own time zone and language: "Dec 7, 2026, 2:25 PM" (the
// pages' one date form; UTC is on hover, utcText).
export const localText = (seconds) =>
  new Date(Number(seconds) * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

// Shows a <time> element's moment (Unix seconds) in local time, UTC on hover.
export function showTime(element, seconds) {
  element.dateTime = new Date(Number(seconds) * 1000).toISOString();
  element.title = utcText(seconds);
  element.textContent = localText(seconds);
}

// Every <time data-local> the server wrote in UTC, in the reader's local time.
export function localizeTimes(root = document) {
  for (const element of root.querySelectorAll("time[data-local]")) {
    const millis = Date.parse(element.dateTime);
    if (!Number.isNaN(millis)) showTime(element, millis / 1000);
  }
}

// 0x1234…abcd
export const shortAddress = (address) => address.slice(0, 6) + "…" + address.slice(-4);
