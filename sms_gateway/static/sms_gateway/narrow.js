// Narrow screens (phones): each row of a list or of the template history reads as a card,
// every value under its column's name (admin.css shows data-label), and the filters,
// above the list, start closed. A static file: the Content-Security-Policy allows no
// inline script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("#result_list, table.sms-history")) {
    // A sortable column's header also holds its sort priority: read only its name.
    const names = [...table.querySelectorAll("thead th")].map(
      (th) => (th.querySelector(".text") || th).textContent.trim(),
    );
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (names[i]) { cell.dataset.label = names[i]; }
      });
    }
  }
  if (window.matchMedia("(max-width: 767px)").matches) {
    for (const filter of document.querySelectorAll("#changelist-filter details")) {
      filter.removeAttribute("open");
    }
  }
});
