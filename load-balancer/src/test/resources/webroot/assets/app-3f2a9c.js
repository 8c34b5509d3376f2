console.log("hashed asset");
