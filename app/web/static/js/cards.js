// Phones show each table row as a card (style.css, under 600 px): every cell carries its
// column's name in data-label, which the card prints above the value. Rows a page adds
// later (the stake page's positions) are labelled as they arrive.

function labelCells(table) {
  const head = table.tHead?.rows[table.tHead.rows.length - 1];
  const headers = head ? [...head.cells].map((th) => th.textContent.trim()) : [];
  if (!headers.length) return;
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        if (!cell.dataset.label && headers[column]) cell.dataset.label = headers[column];
        column += cell.colSpan || 1;
      }
    }
  }
}

export function labelTables(root = document) {
  for (const table of root.querySelectorAll("table")) {
    labelCells(table);
    // Attributes set here are not child-list changes: the observer never wakes itself.
    new MutationObserver(() => labelCells(table)).observe(table, { childList: true, subtree: true });
  }
}
