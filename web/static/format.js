/*
 * What the search page and the document page write the same way (an ES module both import).
 */

/** "2021-11-29" → "29/11/2021"; anything else as it is. */
export function formatDate(isoDate) {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate || "");
  return match ? `${match[3]}/${match[2]}/${match[1]}` : isoDate || "";
}

export function capitalize(text) {
  return text ? text.charAt(0).toLocaleUpperCase("vi") + text.slice(1) : "";
}
