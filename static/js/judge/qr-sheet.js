// The organiser's QR sheet: a print button (no inline scripts under the CSP).
document.getElementById('print-sheet')?.addEventListener('click', () => window.print());
