// Marketing > Cart Price Rules, the rule page: Coupon Code is shown only while Coupon is
// Specific Coupon. Without this file the field stays visible and is ignored for other choices.
(function () {
  "use strict";
  var coupon = document.getElementById("id_coupon_type");
  var codeRow = document.getElementById("row-coupon_code");
  if (!coupon || !codeRow) return;

  function follow() {
    codeRow.hidden = coupon.value !== "specific";
  }
  coupon.addEventListener("change", follow);
  follow();
})();
