/* cookie notice */document.addEventListener("click",function(e){if(e.target.closest(".cookie-notice button")){document.getElementById("cookie").remove();}});
