// Paying through Stripe: the order's data comes from the form's data-* attributes (no inline script).
(function () {
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  var data = form.dataset;
  var stripe = Stripe(data.publishableKey, {locale: data.locale});
  var secret = data.secret;
  var back = window.location.origin + data.back;
  var method = data.method;
  var elements = method === "card" ? stripe.elements({clientSecret: secret}) : null;
  if (elements) elements.create("payment").mount("#payment-element");
  var billing = {name: data.name, email: data.email};
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    document.getElementById("pay").disabled = true;
    var done = method === "card"
      ? stripe.confirmPayment({elements: elements, confirmParams: {return_url: back}})
      : method === "oxxo"
        ? stripe.confirmOxxoPayment(secret, {payment_method: {billing_details: billing}})
        : stripe.confirmCustomerBalancePayment(secret, {payment_method: {customer_balance: {}}}, {handleActions: true});
    done.then(function (result) {
      if (result.error) {
        var message = document.getElementById("payment-message");
        message.textContent = result.error.message;
        message.hidden = false;
        document.getElementById("pay").disabled = false;
      } else {
        window.location = back;
      }
    });
  });
})();
