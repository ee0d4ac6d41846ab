// The certificate page: the print button (the CSP forbids inline handlers).
const button = document.getElementById('print-certificate');
if (button) button.addEventListener('click', () => window.print());
