/* A document form's line table (estimates, change orders, budgets), enhanced: "Add line" grows the table in place, and
   each line's amount, cost and markup and the totals follow what is typed; on a change order, the new contract
   total too; on a budget, each line's quantity x unit cost, or the amount typed. Exact decimal arithmetic (BigInt), rounded half up to the cent as
   QuickBooks and the server round, so what is shown here is what the server saves. Without this script the
   form still works: "Add line" asks the server for a longer table, and the server computes the totals. */
(function () {
  "use strict";
  var form = document.querySelector("[data-line-table]");
  if (!form || typeof BigInt === "undefined") { return; }
  var SCALE = 7; // QuickBooks keeps quantities and prices to 7 places
  var body = form.querySelector("[data-lines]");
  var template = document.getElementById("empty-line");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");

  function parse(text) { // "1,250.5" -> BigInt in units of 10^-SCALE, or null
    var value = (text || "").replace(/,/g, "").trim();
    var match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value);
    if (!match || (match[2] + (match[3] || "")) === "" || (match[3] || "").length > SCALE) { return null; }
    var digits = match[2] + ((match[3] || "") + "0000000").slice(0, SCALE);
    var number = BigInt(digits.replace(/^0+(?=\d)/, ""));
    return match[1] ? -number : number;
  }

  function divideHalfUp(numerator, denominator) { // rounds half away from zero, like Python's ROUND_HALF_UP
    var negative = (numerator < 0n) !== (denominator < 0n);
    var n = numerator < 0n ? -numerator : numerator;
    var d = denominator < 0n ? -denominator : denominator;
    var quotient = (n * 2n + d) / (2n * d);
    return negative ? -quotient : quotient;
  }

  function cents(a, b) { // a x b, both at SCALE, to cents
    return divideHalfUp(a * b, 10n ** BigInt(2 * SCALE - 2));
  }

  function money(value) { // cents -> "1,234.50", negatives in parentheses
    if (value === null) { return ""; }
    var negative = value < 0n, abs = negative ? -value : value;
    var whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var text = whole + "." + (abs % 100n).toString().padStart(2, "0");
    return negative ? "(" + text + ")" : text;
  }

  function markup(amount, cost) { // percent to one place, or "" without a cost
    if (amount === null || cost === null || cost === 0n) { return ""; }
    var tenths = divideHalfUp((amount - cost) * 1000n, cost);
    var negative = tenths < 0n, abs = negative ? -tenths : tenths;
    return (negative ? "-" : "") + (abs / 10n).toString() + "." + (abs % 10n).toString() + "%";
  }

  function field(row, name) { return row.querySelector("[name$='-" + name + "']"); }

  function lineFigures(row) {
    var removed = field(row, "DELETE"), priceField = field(row, "unit_price");
    var qty = parse(field(row, "qty").value), cost = parse(field(row, "unit_cost").value);
    var costAmount = qty !== null && cost !== null ? cents(qty, cost) : null;
    var amount;
    if (priceField) { // a sales document: quantity x unit price
      var price = parse(priceField.value);
      amount = qty !== null && price !== null ? cents(qty, price) : null;
    } else { // a budget line: quantity x unit cost, else the amount typed
      var typed = parse(field(row, "amount").value);
      amount = costAmount !== null ? costAmount : (typed === null ? null : divideHalfUp(typed, 10n ** BigInt(SCALE - 2)));
      costAmount = null;
    }
    return { amount: amount, cost: costAmount, removed: removed && removed.checked };
  }

  function show(scope, selector, text) { // a cell the table may not have (a budget has no cost or markup)
    var cell = scope.querySelector(selector);
    if (cell) { cell.textContent = text; }
  }

  function recompute() {
    var sum = 0n, costSum = 0n, anyCost = false;
    body.querySelectorAll("[data-line]").forEach(function (row) {
      var figures = lineFigures(row);
      show(row, "[data-line-amount]", money(figures.amount));
      show(row, "[data-line-cost]", money(figures.cost));
      show(row, "[data-line-markup]", markup(figures.amount, figures.cost));
      row.classList.toggle("removed", !!figures.removed);
      if (figures.removed) { return; }
      if (figures.amount !== null) { sum += figures.amount; }
      if (figures.cost !== null) { costSum += figures.cost; anyCost = true; }
    });
    show(form, "[data-total-amount]", money(sum));
    show(form, "[data-total-cost]", anyCost ? money(costSum) : "—");
    show(form, "[data-total-markup]", anyCost ? (markup(sum, costSum) || "—") : "—");
    var change = form.querySelector("[data-change-amount]");
    if (change) { change.textContent = money(sum); }
    var before = form.querySelector("[data-contract-before]"), after = form.querySelector("[data-contract-after]");
    if (before && after) { after.textContent = money(BigInt(before.dataset.contractBefore) + sum); }
  }

  function itemChosen(select) { // an empty price or cost becomes the item's own, as the server does
    var option = select.options[select.selectedIndex], row = select.closest("[data-line]");
    [["unit_price", "itemPrice"], ["unit_cost", "itemCost"]].forEach(function (pair) {
      var input = field(row, pair[0]), value = option && option.dataset[pair[1]];
      if (input && !input.value && value) { input.value = value; }
    });
  }

  function addLine(event) {
    event.preventDefault();
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = body.querySelectorAll("[data-line]");
    var first = field(rows[rows.length - 1], "item");
    if (first) { first.focus(); }
    recompute();
  }

  function parentChosen(select) { // a change order: the chosen parent estimate's lines open, for reference
    form.querySelectorAll("[data-parent]").forEach(function (details) {
      details.open = details.dataset.parent === select.value;
    });
  }

  form.addEventListener("input", recompute);
  form.addEventListener("change", function (event) {
    if (event.target.matches("select[name$='-item']")) { itemChosen(event.target); }
    if (event.target.matches("select[name='estimate']")) { parentChosen(event.target); }
    recompute();
  });
  form.querySelector("[data-add-line]").addEventListener("click", addLine);
  var parent = form.querySelector("select[name='estimate']");
  if (parent) { parentChosen(parent); } // a parent picked before this deferred script ran
  recompute();
}());
